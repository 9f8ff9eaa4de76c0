#include "attrs.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_space(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

/* True when s is exactly word, ignoring surrounding space and case. */
static int is_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    s = skip_space(s);
    if (strncasecmp(s, word, n))
        return 0;
    return *skip_space(s + n) == '\0';
}

int attr_parse_bool(const char *s, int *out)
{
    if (is_word(s, "true") || is_word(s, "1")) {
        *out = 1;
        return 0;
    }
    if (is_word(s, "false") || is_word(s, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

int attr_parse_int(const char *s, long long *out)
{
    char *end;
    long long v;
    s = skip_space(s);
    if (!*s)
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s)
        return -1;
    if (*end == 'L' || *end == 'l')
        end++;
    if (*skip_space(end))
        return -1;
    *out = v;
    return 0;
}

int attr_parse_double(const char *s, double *out)
{
    char *end;
    double v;
    s = skip_space(s);
    if (!*s)
        return -1;
    v = strtod(s, &end);
    if (end == s || *skip_space(end))
        return -1;
    *out = v;
    return 0;
}

int attr_parse_tuple(const char *s, int64_t *v, int max, int *n)
{
    char close = 0;
    int count = 0;
    s = skip_space(s);
    if (is_word(s, "None")) {
        *n = -1;
        return 0;
    }
    if (*s == '(' || *s == '[') {
        close = *s == '(' ? ')' : ']';
        s++;
    }
    for (;;) {
        char *end;
        long long x;
        s = skip_space(s);
        if (close && *s == close) {
            s++;
            break;
        }
        if (!close && !*s)
            break;
        errno = 0;
        x = strtoll(s, &end, 10);
        if (end == s || errno)
            return -1;
        s = end;
        if (*s == 'L' || *s == 'l')
            s++;
        if (count >= max)
            return -1;
        v[count++] = x;
        s = skip_space(s);
        if (*s == ',') {
            s++;
            continue;
        }
        if (close && *s == close) {
            s++;
            break;
        }
        if (!close && !*s)
            break;
        return -1;
    }
    if (*skip_space(s))
        return -1;
    if (!close && count == 0)
        return -1;
    *n = count;
    return 0;
}
