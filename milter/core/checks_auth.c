/* checks_auth.c - stub, being written */
#include "limits.h"
