// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The failover benchmark's prober: sends an ICMP echo request to one address at a
 * fixed interval (timerfd, so the pace does not drift like `ping -i`) and logs every
 * echo reply with its kernel receive time (CLOCK_REALTIME, comparable with the logs of
 * every namespace) and the source MAC address, which tells which node answered. It
 * does not interpret anything: the analysis reads its log.
 *
 * Usage: fb_probe -t ADDR -I IFACE -o LOG [-i INTERVAL_US] [-d MAX_SECONDS]
 * Log: one line per reply "SEC.NSEC SEQ MAC"; a line "# start ..." first and "# sent N"
 * at the end. Stops on SIGTERM/SIGINT or after MAX_SECONDS (default 3600).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define ICMP_FILTER_OPT 1 /* linux/icmp.h ICMP_FILTER; that header clashes with netinet's */

typedef struct probe {
	struct in_addr target;
	int ifindex;
	long interval_us;
	long max_s;
	uint16_t ident;
	uint16_t seq;
	unsigned long sent;
	FILE *log;
	int tx;  /* raw ICMP socket: sends only (receiving filtered out) */
	int rx;  /* packet socket: sees the Ethernet source of each reply */
	int tfd; /* the send clock */
	int sfd; /* SIGTERM/SIGINT */
} probe;

static uint16_t csum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int send_one(probe *p)
{
	struct {
		struct icmphdr h;
		uint8_t pad[24];
	} pkt;
	memset(&pkt, 0, sizeof(pkt));
	pkt.h.type = ICMP_ECHO;
	pkt.h.un.echo.id = htons(p->ident);
	pkt.h.un.echo.sequence = htons(p->seq);
	pkt.h.checksum = csum(&pkt, sizeof(pkt));
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = p->target};
	p->seq++;
	p->sent++;
	/* No route or no neighbour yet are normal during an outage: keep pacing. */
	if (sendto(p->tx, &pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	    errno != EHOSTUNREACH && errno != ENETUNREACH && errno != EAGAIN && errno != ENOBUFS)
		return -errno;
	return 0;
}

/* One frame from the packet socket: log it if it is our echo reply from the target.
 * Returns false when nothing was waiting. */
static bool read_one(probe *p)
{
	uint8_t buf[256];
	struct sockaddr_ll from;
	char ctl[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(p->rx, &mh, MSG_DONTWAIT);
	if (n < 0)
		return false;
	if (n < (ssize_t)sizeof(struct iphdr) || from.sll_pkttype != PACKET_HOST)
		return true;
	const struct iphdr *ip = (const void *)buf;
	size_t hl = (size_t)ip->ihl * 4;
	if (ip->protocol != IPPROTO_ICMP || ip->saddr != p->target.s_addr ||
	    (size_t)n < hl + sizeof(struct icmphdr))
		return true;
	const struct icmphdr *ic = (const void *)(buf + hl);
	if (ic->type != ICMP_ECHOREPLY || ntohs(ic->un.echo.id) != p->ident)
		return true;
	struct timespec ts = {0, 0};
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS)
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
	if (!ts.tv_sec) /* no kernel stamp: the read time is the next best */
		clock_gettime(CLOCK_REALTIME, &ts);
	const uint8_t *m = from.sll_addr;
	fprintf(p->log, "%lld.%09ld %u %02x:%02x:%02x:%02x:%02x:%02x\n", (long long)ts.tv_sec,
		ts.tv_nsec, ntohs(ic->un.echo.sequence), m[0], m[1], m[2], m[3], m[4], m[5]);
	/* The runner reads the log while we run (waits for the first reply). */
	fflush(p->log);
	return true;
}

static int open_sockets(probe *p)
{
	p->tx = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (p->tx < 0)
		return -errno;
	/* Replies are read from the packet socket; drop every ICMP type here. */
	uint32_t all = ~0U;
	if (setsockopt(p->tx, SOL_RAW, ICMP_FILTER_OPT, &all, sizeof(all)) < 0)
		return -errno;
	p->rx = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (p->rx < 0)
		return -errno;
	/* Keep only ICMP from the target in the kernel: the socket sees every IP frame. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(p->target.s_addr), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 256),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	if (setsockopt(p->rx, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return -errno;
	int one = 1;
	if (setsockopt(p->rx, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		return -errno;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = p->ifindex};
	if (bind(p->rx, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (p->tfd < 0)
		return -errno;
	struct itimerspec it = {
		.it_interval = {p->interval_us / 1000000, (p->interval_us % 1000000) * 1000},
		.it_value = {0, 1000},
	};
	if (timerfd_settime(p->tfd, 0, &it, NULL) < 0)
		return -errno;
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	p->sfd = signalfd(-1, &ss, SFD_CLOEXEC);
	return p->sfd < 0 ? -errno : 0;
}

static int run(probe *p)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct pollfd fds[3] = {{p->tfd, POLLIN, 0}, {p->rx, POLLIN, 0}, {p->sfd, POLLIN, 0}};
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= p->max_s)
			return 0;
		if (poll(fds, 3, 1000) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (fds[2].revents)
			return 0;
		if (fds[1].revents & POLLIN)
			/* Drain, bounded: the send clock must not starve. */
			for (int i = 0; i < 64 && read_one(p); i++)
				;
		if (fds[0].revents & POLLIN) {
			uint64_t ticks;
			if (read(p->tfd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks)) {
				/* Late wake-ups send one probe, not a burst: the pace is the point. */
				int r = send_one(p);
				if (r < 0)
					return r;
			}
		}
	}
}

int main(int argc, char **argv)
{
	probe p = {.interval_us = 5000, .max_s = 3600, .tx = -1, .rx = -1, .tfd = -1, .sfd = -1};
	const char *target = NULL, *iface = NULL, *out = NULL;
	int c;
	while ((c = getopt(argc, argv, "t:I:o:i:d:")) != -1) {
		switch (c) {
		case 't': target = optarg; break;
		case 'I': iface = optarg; break;
		case 'o': out = optarg; break;
		case 'i': p.interval_us = strtol(optarg, NULL, 10); break;
		case 'd': p.max_s = strtol(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (!target || !iface || !out || p.interval_us < 100 || p.max_s <= 0 ||
	    inet_pton(AF_INET, target, &p.target) != 1)
		goto usage;
	p.ifindex = (int)if_nametoindex(iface);
	if (!p.ifindex) {
		fprintf(stderr, "fb_probe: no interface %s\n", iface);
		return 1;
	}
	p.ident = (uint16_t)getpid();
	int r = open_sockets(&p);
	if (r < 0) {
		fprintf(stderr, "fb_probe: %s\n", strerror(-r));
		return 1;
	}
	p.log = fopen(out, "we");
	if (!p.log) {
		fprintf(stderr, "fb_probe: %s: %s\n", out, strerror(errno));
		return 1;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(p.log, "# start %lld.%09ld target %s interval_us %ld\n", (long long)ts.tv_sec,
		ts.tv_nsec, target, p.interval_us);
	r = run(&p);
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(p.log, "# sent %lu stop %lld.%09ld%s%s\n", p.sent, (long long)ts.tv_sec, ts.tv_nsec,
		r < 0 ? " error " : "", r < 0 ? strerror(-r) : "");
	fclose(p.log);
	close(p.tx);
	close(p.rx);
	close(p.tfd);
	close(p.sfd);
	return r < 0 ? 1 : 0;
usage:
	fprintf(stderr, "usage: fb_probe -t ADDR -I IFACE -o LOG [-i INTERVAL_US] [-d MAX_SECONDS]\n");
	return 2;
}
