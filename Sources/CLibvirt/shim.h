#ifndef PXELAB_CLIBVIRT_SHIM_H
#define PXELAB_CLIBVIRT_SHIM_H
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif
