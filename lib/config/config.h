/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config module: CIB XML <-> model (parse, validate, serialize). The only libxml2 user. */
#ifndef HA_CONFIG_H
#define HA_CONFIG_H

#include "model/model.h"

#endif
