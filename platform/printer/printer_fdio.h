/*
 * printer_fdio: bounded-time I/O on a non-blocking file descriptor, shared
 * by the device and tcp backends (and the file backend's writes), plus the
 * DLE EOT status dialogue both printers speak. Every call takes a time
 * limit; nothing here waits without one.
 */
#ifndef HK_PLATFORM_PRINTER_PRINTER_FDIO_H
#define HK_PLATFORM_PRINTER_PRINTER_FDIO_H

#include <stddef.h>
#include <stdint.h>

#include "printer.h"

/** Milliseconds on CLOCK_MONOTONIC (deadlines). */
int64_t printer_fdio_now_ms(void);

/**
 * Write all of buf to a non-blocking fd.
 * @param stall_ms   fail when no byte could be written for this long (a
 *                   printer throttles us to its print speed, so a total
 *                   limit would fail long tickets; a stall means trouble).
 * @param is_socket  use send(MSG_NOSIGNAL) so a reset peer cannot raise
 *                   SIGPIPE.
 * @return HK_OK or HK_ERR_HW.
 */
hk_err_t printer_fdio_write_all(int fd, const uint8_t *buf, size_t len, int stall_ms,
                                int is_socket);

/**
 * After printer_fdio_write_all(): wait until the bytes have left our side
 * before the caller closes the fd, because closing discards what is still
 * queued. usblp's release kills the write URB in flight; a TCP close with
 * unread input (a status byte the printer volunteered) sends RST and drops
 * the unsent tail of the ticket. Sockets: shut down writing, discard input,
 * wait for the send queue to be acknowledged. ttys: wait for the output
 * queue to empty. Other devices: wait until writable (usblp: last write
 * completed). Never longer than stall_ms without progress.
 * @return HK_OK, or HK_ERR_HW when the printer stopped taking data.
 */
hk_err_t printer_fdio_finish_write(int fd, int is_socket, int stall_ms);

/**
 * Ask an ESC/POS printer for its status with DLE EOT 4, then 1, then 2 (the
 * last only when it says it is off line), all before deadline_ms.
 * No reply (or not a status byte) -> UNKNOWN; a failed write, a read error
 * -> OFFLINE. Stale input is discarded first: real-time requests inside
 * earlier raster data can make a printer send replies nobody asked for.
 * @param is_socket  as for printer_fdio_write_all().
 */
printer_status_t printer_fdio_query_status(int fd, int is_socket, int64_t deadline_ms);

#endif
