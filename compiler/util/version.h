/*
 * version.h - what bnnc is: its version and the commit it was built from.
 */
#ifndef BNNC_UTIL_VERSION_H
#define BNNC_UTIL_VERSION_H

/* "0.1.0" */
const char *bnnc_version(void);
/* The source commit ("1a2b3c4d5e6f", "...-modified" when the tree had
 * changes, "unknown" outside a git checkout). */
const char *bnnc_commit(void);

#endif
