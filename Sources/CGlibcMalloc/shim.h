#include <malloc.h>  /* mallopt, malloc_trim: glibc tuning the Glibc module does not export */
