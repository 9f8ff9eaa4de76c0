/*
 * version.c - the version and commit (written at build time by
 * cmake/commit.cmake into bnnc_commit.h).
 */
#include "version.h"

#include "bnnc_commit.h"

const char *bnnc_version(void)
{
    return BNNC_VERSION;
}

const char *bnnc_commit(void)
{
    return BNNC_COMMIT;
}
