/* lt_dso: a library lt_prog dlopens after start: it must appear in the end
 * record's objects, not the start's, with its build-id and watermark. */
int lt_dso_value(void);

__asm__(".pushsection .note.track.signature,\"a\",@note\n"
        ".balign 4\n"
        ".long 6\n.long 16\n.long 1\n"
        ".asciz \"track\"\n.balign 4\n"
        ".byte 0xfe,0xdc,0xba,0x98,0x76,0x54,0x4d,0x10,0x80,0x11,0x22,0x33,0x44,0x55,0x66,0x77\n"
        ".popsection\n");

int lt_dso_value(void)
{
    return 42;
}
