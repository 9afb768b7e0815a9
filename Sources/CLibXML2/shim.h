#ifndef PXELAB_CLIBXML2_SHIM_H
#define PXELAB_CLIBXML2_SHIM_H
/* Debian's libxml2 is built with ICU; its ICU types clash with Foundation's
   in a clean build ("'UErrorCode' has different definitions"). We never use
   libxml2's ICU encoders, so hide them before the other headers. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlerror.h>

/* xmlFree is a global function pointer, which Swift 6 treats as shared mutable state. */
static inline void pxelab_xml_free(void *pointer) { xmlFree(pointer); }
#endif
