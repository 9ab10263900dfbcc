/* config.c - stub, being written */
#include "limits.h"
