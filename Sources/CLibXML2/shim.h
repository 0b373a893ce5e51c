#ifndef TANDEM_CLIBXML2_SHIM_H
#define TANDEM_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU, so encoding.h would pull in the system's
   <unicode/ucnv.h>, whose enums clash with the ICU copy inside Foundation in any Swift
   module that imports both. Tandem only parses UTF-8 and never touches the encoding
   handler's ICU fields (it holds the handler by pointer only), so hide them. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#endif
