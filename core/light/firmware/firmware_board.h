/* What startup.c gives main: SysTick counting (ticks of the CPU clock since
 * instruction_ticks_start; see startup.c for how ticks relate to instructions). */
#ifndef ITC_FIRMWARE_BOARD_H
#define ITC_FIRMWARE_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
void instruction_ticks_start(void);
uint64_t instruction_ticks(void);
#ifdef __cplusplus
}
#endif

#endif
