/*
 * sim_pcap_sink.h - one pcap file per port of what the port delivered.
 *
 * Owns: one classic pcap file (nanosecond magic, Ethernet link type, host
 * byte order, as libpcap's pcap_dump writes it; tshark and Wireshark read
 * it), written through stdio with every write checked.  A disk that fills
 * or a file-size limit (with SIGXFSZ ignored: EFBIG) must not truncate a
 * capture silently, so the first error is kept, later frames are dropped,
 * and close reports it.
 */
#ifndef SIM_PCAP_SINK_H
#define SIM_PCAP_SINK_H

#include <stddef.h>
#include <stdint.h>

struct sim_pcap_sink;

/* Create path and write the file header; NULL with one line in err. */
struct sim_pcap_sink *sim_pcap_sink_open(const char *path, uint32_t snaplen,
					 char *err, size_t errlen);
/* Append one frame delivered at virtual time ts_ns (nothing once failed). */
void sim_pcap_sink_write(struct sim_pcap_sink *s, uint64_t ts_ns,
			 const uint8_t *frame, uint32_t len);
/* Frames written so far. */
uint64_t sim_pcap_sink_count(const struct sim_pcap_sink *s);
/* The path it writes, for messages. */
const char *sim_pcap_sink_path(const struct sim_pcap_sink *s);
/* Flush, close and free; NULL is ignored.  0, or the negative errno of the
 * first write, flush or close that failed. */
int sim_pcap_sink_close(struct sim_pcap_sink *s);

#endif /* SIM_PCAP_SINK_H */
