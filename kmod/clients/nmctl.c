/*
 * nmctl.c - manage VALE switches from the shell, with vale-ctl's options:
 *
 *   nmctl                    list every port: "name bridge_idx port_idx"
 *   nmctl -l valeX:Y         where that port is (VALE_LIST by name)
 *   nmctl -a valeX:ifname    attach the interface to the switch
 *   nmctl -h valeX:ifname    attach it with its host stack (NR_REG_NIC_SW)
 *   nmctl -d valeX:ifname    detach it
 *   nmctl -n name            create a persistent port (VALE_NEWIF)
 *   nmctl -r name            remove it (VALE_DELIF)
 *   nmctl -g name            rings and slots of a port (PORT_INFO_GET)
 *   nmctl -p valeX:ifname / -P valeX:ifname   polling on / off
 *   options: -C tx_slots[,rx_slots] for -a, -h and -n;
 *            -C mode[,first_cpu[,ncpus]] for -p (mode 1 or single: one
 *            thread on first_cpu polls every ring; 2 or multi: ring i on
 *            CPU i for ncpus rings from first_cpu); default single,0,1
 *   the list marks polled interfaces with " polling"
 *
 * Exit status 0 on success; otherwise the request's errno is printed and
 * the status is 1.  Written for nmlab.ko, usable with any netmap API 14
 * module.
 */
#include "nmc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int list_all(int fd)
{
	struct nmreq_vale_list vl;
	struct nmreq_header h;
	int err;

	memset(&vl, 0, sizeof(vl));
	for (;;) {
		nmc_hdr(&h, NETMAP_REQ_VALE_LIST, NULL, &vl);
		err = nmc_ctrl(fd, &h);
		if (err == ENOENT)
			return 0;
		if (err != 0)
			return err;
		printf("%s bridge %u port %u%s\n", h.nr_name, vl.nr_bridge_idx,
		       vl.nr_port_idx,
		       vl.pad1 & NMLAB_VALE_LIST_POLLED ? " polling" : "");
		vl.nr_port_idx++;
		vl.pad1 = 0;
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nmctl [-l valeX:Y | -a valeX:if | -h valeX:if | -d valeX:if |\n"
		"              -n name | -r name | -g name | -p valeX:if | -P valeX:if]\n"
		"             [-C tx_slots[,rx_slots] | -C mode[,first_cpu[,ncpus]] (-p)]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	union {
		struct nmreq_vale_attach a;
		struct nmreq_vale_detach d;
		struct nmreq_vale_list l;
		struct nmreq_vale_newif n;
		struct nmreq_port_info_get g;
		struct nmreq_vale_polling p;
	} body;
	unsigned int txs = 0, rxs = 0, pmode = 1, pfirst = 0, pncpu = 1;
	struct nmreq_header h;
	const char *name = NULL, *conf = NULL;
	int c, op = 0, fd, err;

	nmc_prog = "nmctl";
	while ((c = getopt(argc, argv, "l:a:h:d:n:r:g:p:P:C:")) != -1) {
		switch (c) {
		case 'C':
			conf = optarg; /* read once the operation is known */
			break;
		case 'l': case 'a': case 'h': case 'd': case 'n':
		case 'r': case 'g': case 'p': case 'P':
			if (op != 0)
				usage();
			op = c;
			name = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (conf != NULL && op == 'p') {
		char m[16];

		if (sscanf(conf, "%15[^,],%u,%u", m, &pfirst, &pncpu) < 1)
			usage();
		if (strcmp(m, "single") == 0)
			pmode = 1; /* NETMAP_POLLING_MODE_SINGLE_CPU */
		else if (strcmp(m, "multi") == 0)
			pmode = 2; /* NETMAP_POLLING_MODE_MULTI_CPU */
		else if (sscanf(m, "%u", &pmode) != 1)
			usage();
	} else if (conf != NULL) {
		if (sscanf(conf, "%u,%u", &txs, &rxs) < 1)
			usage();
		if (rxs == 0)
			rxs = txs;
	}
	fd = open(NMC_DEV, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "nmctl: %s: %s\n", NMC_DEV, strerror(errno));
		return 1;
	}
	memset(&body, 0, sizeof(body));
	switch (op) {
	case 0:
		err = list_all(fd);
		break;
	case 'l':
		nmc_hdr(&h, NETMAP_REQ_VALE_LIST, name, &body.l);
		err = nmc_ctrl(fd, &h);
		if (err == 0)
			printf("%s bridge %u port %u%s\n", name,
			       body.l.nr_bridge_idx, body.l.nr_port_idx,
			       body.l.pad1 & NMLAB_VALE_LIST_POLLED ? " polling"
								    : "");
		break;
	case 'a':
	case 'h':
		body.a.reg.nr_mode = op == 'a' ? NR_REG_ALL_NIC : NR_REG_NIC_SW;
		body.a.reg.nr_tx_slots = txs;
		body.a.reg.nr_rx_slots = rxs;
		nmc_hdr(&h, NETMAP_REQ_VALE_ATTACH, name, &body.a);
		err = nmc_ctrl(fd, &h);
		if (err == 0)
			printf("%s attached as port %u\n", name, body.a.port_index);
		break;
	case 'd':
		nmc_hdr(&h, NETMAP_REQ_VALE_DETACH, name, &body.d);
		err = nmc_ctrl(fd, &h);
		if (err == 0)
			printf("%s detached from port %u\n", name, body.d.port_index);
		break;
	case 'n':
		body.n.nr_tx_slots = txs;
		body.n.nr_rx_slots = rxs;
		nmc_hdr(&h, NETMAP_REQ_VALE_NEWIF, name, &body.n);
		err = nmc_ctrl(fd, &h);
		break;
	case 'r':
		nmc_hdr(&h, NETMAP_REQ_VALE_DELIF, name, NULL);
		err = nmc_ctrl(fd, &h);
		break;
	case 'g':
		nmc_hdr(&h, NETMAP_REQ_PORT_INFO_GET, name, &body.g);
		err = nmc_ctrl(fd, &h);
		if (err == 0)
			printf("%s: memsize %llu, %u/%u rings of %u/%u slots, %u/%u host rings\n",
			       name, (unsigned long long)body.g.nr_memsize,
			       body.g.nr_tx_rings, body.g.nr_rx_rings,
			       body.g.nr_tx_slots, body.g.nr_rx_slots,
			       body.g.nr_host_tx_rings, body.g.nr_host_rx_rings);
		break;
	default: /* 'p', 'P' */
		body.p.nr_mode = pmode;
		body.p.nr_first_cpu_id = pfirst;
		body.p.nr_num_polling_cpus = pncpu;
		nmc_hdr(&h, op == 'p' ? NETMAP_REQ_VALE_POLLING_ENABLE
				      : NETMAP_REQ_VALE_POLLING_DISABLE,
			name, &body.p);
		err = nmc_ctrl(fd, &h);
		if (err == 0)
			printf("%s: polling %s\n", name, op == 'p' ? "on" : "off");
		break;
	}
	close(fd);
	if (err != 0) {
		fprintf(stderr, "nmctl: %s%s%s: %s\n", op ? "-" : "",
			op ? (char[]){ (char)op, ' ', 0 } : "", name ? name : "list",
			strerror(err));
		return 1;
	}
	return 0;
}
