/* An empty preload library: the baseline cost of LD_PRELOAD itself (one
 * more object to map and relocate), against which libtrack's own work is
 * measured. */
int lt_empty_marker(void);

int lt_empty_marker(void)
{
    return 0;
}
