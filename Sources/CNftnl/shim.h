#ifndef TANDEM_CNFTNL_SHIM_H
#define TANDEM_CNFTNL_SHIM_H
#include <stdint.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/batch.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/gen.h>
#include <libnftnl/common.h>
#include <libnftnl/udata.h>
#endif
