#include "CMultiprocessing.h"
