/*
 * sim_linktype.h - turning a captured record into the Ethernet frame the
 * simulated ports carry, whatever the capture's link type.
 *
 * Owns: the link types a Linux host's captures have, and the one rule for
 * frames that have no Ethernet header: one is synthesized, destination
 * SIM_LT_DST_MAC, source SIM_LT_SRC_MAC, ethertype from the header the
 * capture has (the SLL/SLL2 protocol field, the IP version of a raw
 * packet, the address family of a NULL/LOOP header).
 *
 *   EN10MB (1)       the frame as captured
 *   LINUX_SLL (113)  16-byte cooked header dropped; protocol at 14
 *   LINUX_SLL2 (276) 20-byte cooked header dropped; protocol at 0
 *   RAW (101), IPV4 (228), IPV6 (229)  IP packet; version nibble
 *   NULL (0), LOOP (108)  4-byte family (host order / network order)
 */
#ifndef SIM_LINKTYPE_H
#define SIM_LINKTYPE_H

#include <stddef.h>
#include <stdint.h>

#define SIM_LT_NULL 0U
#define SIM_LT_EN10MB 1U
#define SIM_LT_RAW 101U
#define SIM_LT_LOOP 108U
#define SIM_LT_LINUX_SLL 113U
#define SIM_LT_IPV4 228U
#define SIM_LT_IPV6 229U
#define SIM_LT_LINUX_SLL2 276U

/* Locally administered, the same pair the readdressing uses. */
#define SIM_LT_SRC_MAC { 0x02, 0, 0, 0, 0, 0x01 }
#define SIM_LT_DST_MAC { 0x02, 0, 0, 0, 0, 0x02 }
#define SIM_LT_HDR 14U

/* The name of a link type this file converts, or NULL. */
const char *sim_linktype_name(uint32_t linktype);

/*
 * The Ethernet frame of one record of link type lt, p[0..caplen): the
 * frame is *out[0..*outlen).  Either *out == p + k (the frame is a tail of
 * the record: EN10MB) or it was built in scratch, which must hold caplen +
 * SIM_LT_HDR bytes.  *wire is the frame's wire length from the record's
 * wire length len (len less the dropped header plus the synthesized one).
 * 0, or -EINVAL with why[] saying what is wrong (no name, no record
 * number: the caller adds them), e.g. "LINUX_SLL2 header of 12 bytes
 * (expected at least 20)".
 */
int sim_linktype_frame(uint32_t lt, const uint8_t *p, uint32_t caplen,
		       uint32_t len, uint8_t *scratch, const uint8_t **out,
		       uint32_t *outlen, uint32_t *wire, char *why, size_t whylen);

#endif /* SIM_LINKTYPE_H */
