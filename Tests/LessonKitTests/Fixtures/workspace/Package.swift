// A package root for the end-to-end tests; never built.
