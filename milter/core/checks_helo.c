/* checks_helo.c - stub, being written */
#include "limits.h"
