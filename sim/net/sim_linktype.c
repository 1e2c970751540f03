/*
 * sim_linktype.c - link-layer headers to Ethernet (see sim_linktype.h).
 *
 * Header layouts as tcpdump.org's link-layer header types page gives them:
 * LINUX_SLL: packet type, ARPHRD type, address length (2 each), address
 * (8), protocol (2); LINUX_SLL2: protocol (2), reserved (2), interface
 * index (4), ARPHRD type (2), packet type, address length (1 each),
 * address (8).  A protocol below 0x0600 is not an ethertype (802.3 length,
 * LLC, CAN...) and is refused.  NULL's family is in the writer's byte
 * order, which the file does not say: both orders are tried (they cannot
 * collide for these small values).
 */
#include "sim_linktype.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *sim_linktype_name(uint32_t lt)
{
	switch (lt) {
	case SIM_LT_NULL: return "NULL";
	case SIM_LT_EN10MB: return "EN10MB";
	case SIM_LT_RAW: return "RAW";
	case SIM_LT_LOOP: return "LOOP";
	case SIM_LT_LINUX_SLL: return "LINUX_SLL";
	case SIM_LT_IPV4: return "IPV4";
	case SIM_LT_IPV6: return "IPV6";
	case SIM_LT_LINUX_SLL2: return "LINUX_SLL2";
	default: return NULL;
	}
}

/* Ethertype of a BSD/Linux address family; 0 if unknown. */
static uint16_t sim_lt_family(uint32_t af)
{
	switch (af) {
	case 2: return 0x0800;			/* AF_INET everywhere */
	case 10: case 24: case 28: case 30: return 0x86dd; /* AF_INET6 */
	default: return 0;
	}
}

int sim_linktype_frame(uint32_t lt, const uint8_t *p, uint32_t caplen,
		       uint32_t len, uint8_t *scratch, const uint8_t **out,
		       uint32_t *outlen, uint32_t *wire, char *why, size_t whylen)
{
	static const uint8_t dst[6] = SIM_LT_DST_MAC, src[6] = SIM_LT_SRC_MAC;
	uint32_t hdr, af;
	uint16_t et;

	switch (lt) {
	case SIM_LT_EN10MB:
		*out = p;
		*outlen = caplen;
		*wire = len;
		return 0;
	case SIM_LT_LINUX_SLL:
	case SIM_LT_LINUX_SLL2:
		hdr = lt == SIM_LT_LINUX_SLL ? 16 : 20;
		if (caplen < hdr) {
			snprintf(why, whylen, "%s header of %u bytes (expected at least %u)",
				 sim_linktype_name(lt), caplen, hdr);
			return -EINVAL;
		}
		et = lt == SIM_LT_LINUX_SLL ? (uint16_t)(p[14] << 8 | p[15])
					    : (uint16_t)(p[0] << 8 | p[1]);
		if (et < 0x0600) {
			snprintf(why, whylen, "%s protocol 0x%04x (expected an ethertype, at least 0x0600)",
				 sim_linktype_name(lt), et);
			return -EINVAL;
		}
		break;
	case SIM_LT_RAW:
	case SIM_LT_IPV4:
	case SIM_LT_IPV6:
		hdr = 0;
		if (caplen < 1 || ((p[0] >> 4) != 4 && (p[0] >> 4) != 6) ||
		    (lt == SIM_LT_IPV4 && (p[0] >> 4) != 4) ||
		    (lt == SIM_LT_IPV6 && (p[0] >> 4) != 6)) {
			snprintf(why, whylen, "%s packet with IP version %d (expected %s)",
				 sim_linktype_name(lt), caplen < 1 ? -1 : p[0] >> 4,
				 lt == SIM_LT_IPV4 ? "4" : lt == SIM_LT_IPV6 ? "6" : "4 or 6");
			return -EINVAL;
		}
		et = (p[0] >> 4) == 4 ? 0x0800 : 0x86dd;
		break;
	case SIM_LT_NULL:
	case SIM_LT_LOOP:
		hdr = 4;
		if (caplen < 4) {
			snprintf(why, whylen, "%s header of %u bytes (expected 4)",
				 sim_linktype_name(lt), caplen);
			return -EINVAL;
		}
		af = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		     (uint32_t)p[2] << 8 | p[3];
		et = sim_lt_family(af);
		if (et == 0 && lt == SIM_LT_NULL)
			et = sim_lt_family(__builtin_bswap32(af));
		if (et == 0) {
			snprintf(why, whylen, "%s address family 0x%08x (expected IPv4 or IPv6)",
				 sim_linktype_name(lt), af);
			return -EINVAL;
		}
		break;
	default:
		snprintf(why, whylen, "link type %u (expected EN10MB 1, LINUX_SLL 113, LINUX_SLL2 276, RAW 101, IPV4 228, IPV6 229, NULL 0 or LOOP 108)",
			 lt);
		return -EINVAL;
	}
	memcpy(scratch, dst, 6);
	memcpy(scratch + 6, src, 6);
	scratch[12] = (uint8_t)(et >> 8);
	scratch[13] = (uint8_t)et;
	memcpy(scratch + SIM_LT_HDR, p + hdr, caplen - hdr);
	*out = scratch;
	*outlen = caplen - hdr + SIM_LT_HDR;
	/* A wire length shorter than the dropped header is the record's
	 * own contradiction; the caller's caplen == len check reports it. */
	*wire = len >= hdr ? len - hdr + SIM_LT_HDR : len;
	return 0;
}
