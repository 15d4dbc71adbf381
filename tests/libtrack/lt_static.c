/* lt_static: a statically linked program. LD_PRELOAD has no effect on it
 * (no dynamic loader runs): it must behave exactly as untracked and leave
 * no record. */
#include <stdio.h>

int main(void)
{
    printf("static hello\n");
    return 3;
}
