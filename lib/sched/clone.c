/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Clone assignment (anonymous and promotable). Not scheduled yet: the scheduler
 * reports clones as unsupported and leaves their instances where they are rather
 * than misplacing them.
 */
#include "sched_private.h"

void ha__sc_assign_clone(sched *s, sc_rsc *c);

static void freeze(sched *s, sc_rsc *x)
{
	x->provisional = false;
	x->managed = false;
	if (x->prim_idx >= 0) {
		x->node = x->running_on;
		x->next_role = x->running_on >= 0 ? x->cur_role : HA_ROLE_STOPPED;
		if (x->node >= 0)
			s->nodes[x->node].assigned++;
		return;
	}
	for (guint i = 0; x->children && i < x->children->len; i++)
		freeze(s, g_ptr_array_index(x->children, i));
}

void ha__sc_assign_clone(sched *s, sc_rsc *c)
{
	if (!c->provisional)
		return;
	char *msg = g_strdup_printf("%s: clones and promotable clones are not yet supported by "
				    "the scheduler; %s is left as it is", c->r->id, c->r->id);
	g_ptr_array_add(s->unsupported, msg);
	s->incomplete = true;
	freeze(s, c);
}
