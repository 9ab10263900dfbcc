/* stub */
#include "config_load.h"
