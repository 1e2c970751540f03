/*
 * sim_pcap_sink.h - one pcap file per port of what the port delivered.
 *
 * Owns: a libpcap dump handle (pcap_open_dead + pcap_dump_open), written
 * with nanosecond timestamps (the virtual delivery time), Ethernet link
 * type; tshark and Wireshark read it.  Writing is buffered by libpcap and
 * flushed on close.
 */
#ifndef SIM_PCAP_SINK_H
#define SIM_PCAP_SINK_H

#include <stddef.h>
#include <stdint.h>

struct sim_pcap_sink;

/* Open path for writing; NULL with one line in err on failure. */
struct sim_pcap_sink *sim_pcap_sink_open(const char *path, uint32_t snaplen,
					 char *err, size_t errlen);
/* Append one frame delivered at virtual time ts_ns. */
void sim_pcap_sink_write(struct sim_pcap_sink *s, uint64_t ts_ns,
			 const uint8_t *frame, uint32_t len);
/* Frames written so far. */
uint64_t sim_pcap_sink_count(const struct sim_pcap_sink *s);
/* Flush and close; NULL is ignored.  0 or -EIO. */
int sim_pcap_sink_close(struct sim_pcap_sink *s);

#endif /* SIM_PCAP_SINK_H */
