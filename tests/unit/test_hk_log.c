/*
 * hk_log: the in-memory ring keeps what was logged in order, survives
 * wrap-around, honours the reader's "after" cursor, and truncates long
 * lines instead of overflowing; on systemd's journal stream each line
 * carries its priority.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hk_log.h"
#include "hk_test.h"

void setUp(void)
{
    hk_log_set_stderr(false);
}

void tearDown(void)
{
    hk_log_set_stderr(true);
}

static uint64_t last_seq(void)
{
    static hk_log_entry_t all[HK_LOG_RING_SIZE];
    size_t n = hk_log_recent(0, all, HK_LOG_RING_SIZE);

    return n ? all[n - 1].seq : 0;
}

static void test_log_ring_returns_entries_after_the_cursor_in_order(void)
{
    hk_log_entry_t got[4];
    uint64_t base = last_seq();
    size_t n;

    hk_log_warn("printer", "paper %s", "low");
    hk_log_error("queue", "commit failed: %d", 5);
    n = hk_log_recent(base, got, 4);
    HK_ASSERT_INT(2, n);
    HK_ASSERT_INT(base + 1, got[0].seq);
    HK_ASSERT_STR("printer", got[0].module);
    HK_ASSERT_STR("paper low", got[0].msg);
    HK_ASSERT_INT(HK_LOG_WARN, got[0].level);
    HK_ASSERT_STR("commit failed: 5", got[1].msg);
    HK_ASSERT_INT(0, hk_log_recent(base + 2, got, 4));
}

static void test_log_ring_keeps_the_newest_after_wrapping(void)
{
    static hk_log_entry_t got[HK_LOG_RING_SIZE];
    uint64_t base = last_seq();
    size_t n;
    int i;

    for(i = 0; i < HK_LOG_RING_SIZE + 10; i++)
        hk_log_info("t", "line %d", i);
    n = hk_log_recent(base, got, HK_LOG_RING_SIZE);
    HK_ASSERT_INT(HK_LOG_RING_SIZE, n);
    HK_ASSERT_STR("line 10", got[0].msg); /* the first ten were overwritten */
    HK_ASSERT_INT(base + 11, got[0].seq);
    HK_ASSERT_STR("line 265", got[n - 1].msg);
}

static void test_log_truncates_long_lines(void)
{
    char big[1000];
    hk_log_entry_t got[1];
    uint64_t base = last_seq();

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    hk_log_debug("t", "%s", big);
    HK_ASSERT_INT(1, hk_log_recent(base, got, 1));
    HK_ASSERT_INT(HK_LOG_MSG_SIZE - 1, strlen(got[0].msg));
}

static void test_log_level_names_parse_both_ways(void)
{
    hk_log_level_t l = HK_LOG_INFO;

    HK_ASSERT(hk_log_level_parse("debug", &l));
    HK_ASSERT_INT(HK_LOG_DEBUG, l);
    HK_ASSERT(!hk_log_level_parse("loud", &l));
    HK_ASSERT_INT(HK_LOG_DEBUG, l);
    HK_ASSERT_STR("warn", hk_log_level_str(HK_LOG_WARN));
}

/* In a child: stderr into path, $JOURNAL_STREAM naming it (journal) or
 * another inode; one error and one info line. */
static void log_to_file(const char *path, bool journal)
{
    pid_t pid;
    int status;

    fflush(NULL);
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        struct stat st;
        char js[64];
        if(!freopen(path, "w", stderr) || fstat(2, &st) != 0)
            _exit(2);
        snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino + (journal ? 0 : 1));
        setenv("JOURNAL_STREAM", js, 1);
        hk_log_set_stderr(true);
        hk_log_set_level(HK_LOG_INFO);
        hk_log_error("t", "boom");
        hk_log_info("t", "fine");
        fflush(stderr);
        _exit(0);
    }
    HK_ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_log_lines_carry_their_priority_on_the_journal_stream(void)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/journal.txt", hk_test_tmpdir());
    log_to_file(path, true);
    HK_ASSERT(hk_test_file_has(path, "<3>hallkiosk[t] error: boom\n<6>hallkiosk[t] info: fine\n"));
    /* a terminal or a file (JOURNAL_STREAM inherited from elsewhere): plain */
    log_to_file(path, false);
    HK_ASSERT(hk_test_file_has(path, "hallkiosk[t] error: boom\nhallkiosk[t] info: fine\n"));
    HK_ASSERT(!hk_test_file_has(path, "<3>"));
}

int main(void)
{
    HK_RUN(test_log_ring_returns_entries_after_the_cursor_in_order);
    HK_RUN(test_log_ring_keeps_the_newest_after_wrapping);
    HK_RUN(test_log_truncates_long_lines);
    HK_RUN(test_log_level_names_parse_both_ways);
    HK_RUN(test_log_lines_carry_their_priority_on_the_journal_stream);
    return hk_test_end();
}
