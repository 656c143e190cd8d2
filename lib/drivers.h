/* drivers.h - the constructors of every side's struct ois_driver, for apply. */
#ifndef OIS_DRIVERS_H
#define OIS_DRIVERS_H

#include "config.h"
#include "driver.h"

/*
 * Open a driver for one account. They read the endpoint's secret and create
 * an HTTP client; on failure they return NULL with *rc set (logged).
 * The driver is freed by its close method.
 */
struct ois_driver *ois_ews_driver_open(const struct ois_endpoint *ep, const char *mailbox, int *rc);
struct ois_driver *ois_ia_driver_open(const struct ois_endpoint *ep, const char *user_id, int *rc);

#endif
