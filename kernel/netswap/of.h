/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NSW_OF_H
#define _NSW_OF_H

int nsw_of_init(void);
void nsw_of_uninit(void);

#endif /* _NSW_OF_H */
