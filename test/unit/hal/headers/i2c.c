/* Layout probe for <linux/i2c.h> and <linux/i2c-dev.h>; see probe.h and hal/i2c/uapi.ts. */
#include <linux/i2c.h>
#include <linux/i2c-dev.h>

#define PROBES(P) \
  P(size__i2c_msg, sizeof(struct i2c_msg)) \
  P(off__i2c_msg__addr, offsetof(struct i2c_msg, addr)) \
  P(off__i2c_msg__flags, offsetof(struct i2c_msg, flags)) \
  P(off__i2c_msg__len, offsetof(struct i2c_msg, len)) \
  P(off__i2c_msg__buf, offsetof(struct i2c_msg, buf)) \
  P(size__i2c_rdwr_ioctl_data, sizeof(struct i2c_rdwr_ioctl_data)) \
  P(off__i2c_rdwr_ioctl_data__msgs, offsetof(struct i2c_rdwr_ioctl_data, msgs)) \
  P(off__i2c_rdwr_ioctl_data__nmsgs, offsetof(struct i2c_rdwr_ioctl_data, nmsgs)) \
  P(size__i2c_smbus_ioctl_data, sizeof(struct i2c_smbus_ioctl_data)) \
  P(off__i2c_smbus_ioctl_data__read_write, offsetof(struct i2c_smbus_ioctl_data, read_write)) \
  P(off__i2c_smbus_ioctl_data__command, offsetof(struct i2c_smbus_ioctl_data, command)) \
  P(off__i2c_smbus_ioctl_data__size, offsetof(struct i2c_smbus_ioctl_data, size)) \
  P(off__i2c_smbus_ioctl_data__data, offsetof(struct i2c_smbus_ioctl_data, data)) \
  P(const__I2C_RDWR, I2C_RDWR) \
  P(const__I2C_SLAVE, I2C_SLAVE) \
  P(const__I2C_SMBUS, I2C_SMBUS) \
  P(const__I2C_SMBUS_READ, I2C_SMBUS_READ) \
  P(const__I2C_SMBUS_WRITE, I2C_SMBUS_WRITE) \
  P(const__I2C_SMBUS_BYTE, I2C_SMBUS_BYTE) \
  P(const__I2C_M_RD, I2C_M_RD) \
  P(const__I2C_RDWR_IOCTL_MAX_MSGS, I2C_RDWR_IOCTL_MAX_MSGS)

#include "probe.h"
