/* date.c - stub, being written */
#include "limits.h"
