/* Layout probe for <linux/gpio.h>; see probe.h and hal/gpio/uapi.ts. */
#include <linux/gpio.h>

#define PROBES(P) \
  P(size__gpiochip_info, sizeof(struct gpiochip_info)) \
  P(off__gpiochip_info__name, offsetof(struct gpiochip_info, name)) \
  P(off__gpiochip_info__label, offsetof(struct gpiochip_info, label)) \
  P(off__gpiochip_info__lines, offsetof(struct gpiochip_info, lines)) \
  P(size__gpio_v2_line_attribute, sizeof(struct gpio_v2_line_attribute)) \
  P(off__gpio_v2_line_attribute__id, offsetof(struct gpio_v2_line_attribute, id)) \
  P(off__gpio_v2_line_attribute__padding, offsetof(struct gpio_v2_line_attribute, padding)) \
  P(off__gpio_v2_line_attribute__flags, offsetof(struct gpio_v2_line_attribute, flags)) \
  P(off__gpio_v2_line_attribute__values, offsetof(struct gpio_v2_line_attribute, values)) \
  P(off__gpio_v2_line_attribute__debounce_period_us, offsetof(struct gpio_v2_line_attribute, debounce_period_us)) \
  P(size__gpio_v2_line_config_attribute, sizeof(struct gpio_v2_line_config_attribute)) \
  P(off__gpio_v2_line_config_attribute__attr, offsetof(struct gpio_v2_line_config_attribute, attr)) \
  P(off__gpio_v2_line_config_attribute__mask, offsetof(struct gpio_v2_line_config_attribute, mask)) \
  P(size__gpio_v2_line_config, sizeof(struct gpio_v2_line_config)) \
  P(off__gpio_v2_line_config__flags, offsetof(struct gpio_v2_line_config, flags)) \
  P(off__gpio_v2_line_config__num_attrs, offsetof(struct gpio_v2_line_config, num_attrs)) \
  P(off__gpio_v2_line_config__padding, offsetof(struct gpio_v2_line_config, padding)) \
  P(off__gpio_v2_line_config__attrs, offsetof(struct gpio_v2_line_config, attrs)) \
  P(size__gpio_v2_line_request, sizeof(struct gpio_v2_line_request)) \
  P(off__gpio_v2_line_request__offsets, offsetof(struct gpio_v2_line_request, offsets)) \
  P(off__gpio_v2_line_request__consumer, offsetof(struct gpio_v2_line_request, consumer)) \
  P(off__gpio_v2_line_request__config, offsetof(struct gpio_v2_line_request, config)) \
  P(off__gpio_v2_line_request__num_lines, offsetof(struct gpio_v2_line_request, num_lines)) \
  P(off__gpio_v2_line_request__event_buffer_size, offsetof(struct gpio_v2_line_request, event_buffer_size)) \
  P(off__gpio_v2_line_request__padding, offsetof(struct gpio_v2_line_request, padding)) \
  P(off__gpio_v2_line_request__fd, offsetof(struct gpio_v2_line_request, fd)) \
  P(size__gpio_v2_line_values, sizeof(struct gpio_v2_line_values)) \
  P(off__gpio_v2_line_values__bits, offsetof(struct gpio_v2_line_values, bits)) \
  P(off__gpio_v2_line_values__mask, offsetof(struct gpio_v2_line_values, mask)) \
  P(size__gpio_v2_line_event, sizeof(struct gpio_v2_line_event)) \
  P(off__gpio_v2_line_event__timestamp_ns, offsetof(struct gpio_v2_line_event, timestamp_ns)) \
  P(off__gpio_v2_line_event__id, offsetof(struct gpio_v2_line_event, id)) \
  P(off__gpio_v2_line_event__offset, offsetof(struct gpio_v2_line_event, offset)) \
  P(off__gpio_v2_line_event__seqno, offsetof(struct gpio_v2_line_event, seqno)) \
  P(off__gpio_v2_line_event__line_seqno, offsetof(struct gpio_v2_line_event, line_seqno)) \
  P(off__gpio_v2_line_event__padding, offsetof(struct gpio_v2_line_event, padding)) \
  P(const__GPIO_MAX_NAME_SIZE, GPIO_MAX_NAME_SIZE) \
  P(const__GPIO_V2_LINES_MAX, GPIO_V2_LINES_MAX) \
  P(const__GPIO_V2_LINE_NUM_ATTRS_MAX, GPIO_V2_LINE_NUM_ATTRS_MAX) \
  P(const__GPIO_V2_LINE_FLAG_USED, GPIO_V2_LINE_FLAG_USED) \
  P(const__GPIO_V2_LINE_FLAG_ACTIVE_LOW, GPIO_V2_LINE_FLAG_ACTIVE_LOW) \
  P(const__GPIO_V2_LINE_FLAG_INPUT, GPIO_V2_LINE_FLAG_INPUT) \
  P(const__GPIO_V2_LINE_FLAG_OUTPUT, GPIO_V2_LINE_FLAG_OUTPUT) \
  P(const__GPIO_V2_LINE_FLAG_EDGE_RISING, GPIO_V2_LINE_FLAG_EDGE_RISING) \
  P(const__GPIO_V2_LINE_FLAG_EDGE_FALLING, GPIO_V2_LINE_FLAG_EDGE_FALLING) \
  P(const__GPIO_V2_LINE_FLAG_OPEN_DRAIN, GPIO_V2_LINE_FLAG_OPEN_DRAIN) \
  P(const__GPIO_V2_LINE_FLAG_OPEN_SOURCE, GPIO_V2_LINE_FLAG_OPEN_SOURCE) \
  P(const__GPIO_V2_LINE_FLAG_BIAS_PULL_UP, GPIO_V2_LINE_FLAG_BIAS_PULL_UP) \
  P(const__GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN, GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN) \
  P(const__GPIO_V2_LINE_FLAG_BIAS_DISABLED, GPIO_V2_LINE_FLAG_BIAS_DISABLED) \
  P(const__GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME, GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME) \
  P(const__GPIO_V2_LINE_ATTR_ID_FLAGS, GPIO_V2_LINE_ATTR_ID_FLAGS) \
  P(const__GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES) \
  P(const__GPIO_V2_LINE_ATTR_ID_DEBOUNCE, GPIO_V2_LINE_ATTR_ID_DEBOUNCE) \
  P(const__GPIO_V2_LINE_EVENT_RISING_EDGE, GPIO_V2_LINE_EVENT_RISING_EDGE) \
  P(const__GPIO_V2_LINE_EVENT_FALLING_EDGE, GPIO_V2_LINE_EVENT_FALLING_EDGE) \
  P(const__GPIO_GET_CHIPINFO_IOCTL, GPIO_GET_CHIPINFO_IOCTL) \
  P(const__GPIO_V2_GET_LINE_IOCTL, GPIO_V2_GET_LINE_IOCTL) \
  P(const__GPIO_V2_LINE_SET_CONFIG_IOCTL, GPIO_V2_LINE_SET_CONFIG_IOCTL) \
  P(const__GPIO_V2_LINE_GET_VALUES_IOCTL, GPIO_V2_LINE_GET_VALUES_IOCTL) \
  P(const__GPIO_V2_LINE_SET_VALUES_IOCTL, GPIO_V2_LINE_SET_VALUES_IOCTL)

#include "probe.h"
