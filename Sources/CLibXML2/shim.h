#ifndef TANDEM_CLIBXML2_SHIM_H
#define TANDEM_CLIBXML2_SHIM_H
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#endif
