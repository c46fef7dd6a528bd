/* Layout probe for <scsi/sg.h> (SG v3); see test/unit/hal/headers/probe.h and hal/scsi/sg/constants.ts. */
#include <scsi/sg.h>

#define PROBES(P) \
  P(size__sg_io_hdr, sizeof(struct sg_io_hdr)) \
  P(off__sg_io_hdr__interface_id, offsetof(struct sg_io_hdr, interface_id)) \
  P(off__sg_io_hdr__dxfer_direction, offsetof(struct sg_io_hdr, dxfer_direction)) \
  P(off__sg_io_hdr__cmd_len, offsetof(struct sg_io_hdr, cmd_len)) \
  P(off__sg_io_hdr__mx_sb_len, offsetof(struct sg_io_hdr, mx_sb_len)) \
  P(off__sg_io_hdr__iovec_count, offsetof(struct sg_io_hdr, iovec_count)) \
  P(off__sg_io_hdr__dxfer_len, offsetof(struct sg_io_hdr, dxfer_len)) \
  P(off__sg_io_hdr__dxferp, offsetof(struct sg_io_hdr, dxferp)) \
  P(off__sg_io_hdr__cmdp, offsetof(struct sg_io_hdr, cmdp)) \
  P(off__sg_io_hdr__sbp, offsetof(struct sg_io_hdr, sbp)) \
  P(off__sg_io_hdr__timeout, offsetof(struct sg_io_hdr, timeout)) \
  P(off__sg_io_hdr__flags, offsetof(struct sg_io_hdr, flags)) \
  P(off__sg_io_hdr__pack_id, offsetof(struct sg_io_hdr, pack_id)) \
  P(off__sg_io_hdr__usr_ptr, offsetof(struct sg_io_hdr, usr_ptr)) \
  P(off__sg_io_hdr__status, offsetof(struct sg_io_hdr, status)) \
  P(off__sg_io_hdr__masked_status, offsetof(struct sg_io_hdr, masked_status)) \
  P(off__sg_io_hdr__msg_status, offsetof(struct sg_io_hdr, msg_status)) \
  P(off__sg_io_hdr__sb_len_wr, offsetof(struct sg_io_hdr, sb_len_wr)) \
  P(off__sg_io_hdr__host_status, offsetof(struct sg_io_hdr, host_status)) \
  P(off__sg_io_hdr__driver_status, offsetof(struct sg_io_hdr, driver_status)) \
  P(off__sg_io_hdr__resid, offsetof(struct sg_io_hdr, resid)) \
  P(off__sg_io_hdr__duration, offsetof(struct sg_io_hdr, duration)) \
  P(off__sg_io_hdr__info, offsetof(struct sg_io_hdr, info)) \
  P(const__SG_IO, SG_IO) \
  P(const__SG_DXFER_NONE, SG_DXFER_NONE) \
  P(const__SG_DXFER_TO_DEV, SG_DXFER_TO_DEV) \
  P(const__SG_DXFER_FROM_DEV, SG_DXFER_FROM_DEV) \
  P(const__SG_INFO_OK_MASK, SG_INFO_OK_MASK) \
  P(const__SG_INFO_OK, SG_INFO_OK) \
  P(const__SG_INFO_CHECK, SG_INFO_CHECK) \
  P(const__SG_INFO_DIRECT_IO_MASK, SG_INFO_DIRECT_IO_MASK) \
  P(const__SG_INFO_INDIRECT_IO, SG_INFO_INDIRECT_IO) \
  P(const__SG_INFO_DIRECT_IO, SG_INFO_DIRECT_IO) \
  P(const__SG_INFO_MIXED_IO, SG_INFO_MIXED_IO)

#include "probe.h"
