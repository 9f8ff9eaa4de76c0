/*
 * main.c - the bnnc command line: compile | inspect | verify.
 */
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: bnnc <command> [options]\n"
    "\n"
    "Ahead-of-time compiler for binarized neural networks exported by\n"
    "MXNet / BMXNet (<prefix>-symbol.json + <prefix>-NNNN.params).\n"
    "\n"
    "commands:\n"
    "  inspect SYMBOL PARAMS --input NAME=N,C,H,W   per-layer report\n"
    "  --help       show this text\n"
    "  --version    show the version\n";

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("bnnc %s\n", BNNC_VERSION);
        return 0;
    }
    fprintf(stderr, "error: unknown command '%s' (see bnnc --help)\n", argv[1]);
    return 1;
}
