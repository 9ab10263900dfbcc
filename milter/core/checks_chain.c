/* checks_chain.c - stub, being written */
#include "limits.h"
