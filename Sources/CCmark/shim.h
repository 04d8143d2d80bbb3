// cmark-gfm (GitHub's CommonMark with extensions) and its core extensions (tables, ...).
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
