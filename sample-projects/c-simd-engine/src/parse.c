/* Count records in a text stream. */
#include <stdio.h>

int engine_count_records(FILE *f) {
    char c;
    int n = 0;
    while ((c = getc(f)) != EOF)
        if (c == '\n')
            n++;
    return n;
}
