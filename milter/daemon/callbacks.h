/*
 * callbacks.h - the libmilter filter description.
 *
 * Owns the xxfi_* table handed to smfi_register. The callbacks only
 * gather facts into the session record; deciding and acting live in
 * actions.c.
 */
#ifndef OT_CALLBACKS_H
#define OT_CALLBACKS_H

#include <libmilter/mfapi.h>

/* The filter description: name, version, flags and callbacks. */
struct smfiDesc *ot_callbacks_desc(void);

#endif
