/* signals.c - stub, being written */
#include "limits.h"
