/* ingest_mover: the mover thread (ingest_mover.h). */
#include "ingest_mover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool_err.h"
#include "spool_log.h"

static void *mover_main(void *arg)
{
    struct ingest_mover *mv = arg;
    char err[SPOOL_ERR_MAX];
    pthread_mutex_lock(&mv->mu);
    for (;;) {
        while (!mv->full && !mv->stop)
            pthread_cond_wait(&mv->cv, &mv->mu);
        if (!mv->full)
            break;   /* stopped, nothing left */
        size_t n = mv->n, errs = 0;
        pthread_mutex_unlock(&mv->mu);
        for (size_t i = 0; i < n; i++)
            if (ingest_archive_done(&mv->a, mv->slot[i], mv->delete_it, err, sizeof err) != 0) {
                spool_log_err("%s (its rows are committed; the next run sees a duplicate)", err);
                errs++;
            }
        pthread_mutex_lock(&mv->mu);
        mv->errors += errs;
        mv->full = 0;
        pthread_cond_broadcast(&mv->cv);
    }
    pthread_mutex_unlock(&mv->mu);
    return NULL;
}

int ingest_mover_init(struct ingest_mover *mv, size_t batch, int delete_it)
{
    memset(mv, 0, sizeof *mv);
    ingest_archive_init(&mv->a);
    pthread_mutex_init(&mv->mu, NULL);
    pthread_cond_init(&mv->cv, NULL);
    mv->delete_it = delete_it;
    mv->slot = calloc(batch, sizeof *mv->slot);
    return mv->slot ? 0 : -1;
}

int ingest_mover_start(struct ingest_mover *mv, const struct ingest_archive *a, char *err,
                       size_t errlen)
{
    if (ingest_archive_clone(a, &mv->a, err, errlen) != 0)
        return -1;
    int e = pthread_create(&mv->th, NULL, mover_main, mv);
    if (e != 0) {
        snprintf(err, errlen, "cannot start the mover thread: %s", strerror(e));
        return -1;
    }
    mv->started = 1;
    return 0;
}

void ingest_mover_give(struct ingest_mover *mv, struct ingest_done_list *dl)
{
    if (dl->n == 0)
        return;
    pthread_mutex_lock(&mv->mu);
    while (mv->full)
        pthread_cond_wait(&mv->cv, &mv->mu);
    struct ingest_file **t = mv->slot;
    mv->slot = dl->f;
    mv->n = dl->n;
    dl->f = t;
    dl->n = 0;
    mv->full = 1;
    pthread_cond_broadcast(&mv->cv);
    pthread_mutex_unlock(&mv->mu);
}

size_t ingest_mover_finish(struct ingest_mover *mv)
{
    if (!mv->started)
        return 0;
    pthread_mutex_lock(&mv->mu);
    mv->stop = 1;
    pthread_cond_broadcast(&mv->cv);
    pthread_mutex_unlock(&mv->mu);
    pthread_join(mv->th, NULL);
    mv->started = 0;
    return mv->errors;
}

void ingest_mover_free(struct ingest_mover *mv)
{
    ingest_archive_close(&mv->a);
    pthread_mutex_destroy(&mv->mu);
    pthread_cond_destroy(&mv->cv);
    free(mv->slot);
}
