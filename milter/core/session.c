/* session.c - stub, being written */
#include "limits.h"
