include $(sort $(wildcard $(BR2_EXTERNAL_TANDEM_PATH)/package/*/*.mk))
