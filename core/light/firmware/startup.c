/* Start-up for the Cortex-M4 firmware (mps2_an386.ld): the vector table, the reset
 * handler (copy .data and the TLS template, zero .bss, point picolibc's TLS at its block,
 * run constructors, call main, exit over semihosting), a fault handler that reports and
 * exits, and SysTick as the instruction counter (see instruction_ticks). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware_board.h"

extern uint8_t __data_start[], __data_end[], __data_source[], __bss_start[], __bss_end[];
extern uint8_t __tls_base[], __stack_top[];
extern void _set_tls(void* tls);
extern void __libc_init_array(void);
extern int main(void);

void itc_fw_reset(void);
static void fault(void);
static void systick(void);

typedef void (*handler)(void);
__attribute__((section(".vectors"), used)) static const handler vector_table[16] = {
    (handler)(uintptr_t)__stack_top, /* initial SP */
    itc_fw_reset,                    /* reset */
    fault,                           /* NMI */
    fault,                           /* HardFault */
    fault,                           /* MemManage */
    fault,                           /* BusFault */
    fault,                           /* UsageFault */
    0,
    0,
    0,
    0,
    fault, /* SVCall */
    fault, /* DebugMonitor */
    0,
    fault,   /* PendSV */
    systick, /* SysTick */
};

void itc_fw_reset(void) {
  memcpy(__data_start, __data_source, (size_t)(__data_end - __data_start));
  memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
  _set_tls(__tls_base);
  __libc_init_array();
  exit(main());
}

static void fault(void) {
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  printf("FAULT exception %lu\n", (unsigned long)(ipsr & 0x1ff));
  exit(3);
}

/* SysTick: a 24-bit down-counter on the CPU clock (25 MHz on this board). Under QEMU with
 * -icount shift=0 every instruction advances virtual time by 1 ns, so one tick is 40
 * instructions; main() calibrates that on a loop of known length and prints it. */
#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)
static volatile uint32_t systick_wraps;

static void systick(void) { systick_wraps++; }

void instruction_ticks_start(void) {
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 0x7u; /* enable, interrupt on wrap, CPU clock */
  while (SYST_CVR == 0) {
    /* the first tick loads the reload value (and counts as a wrap) */
  }
  systick_wraps = 0;
}

uint64_t instruction_ticks(void) {
  uint32_t wraps, value;
  do {
    wraps = systick_wraps;
    value = SYST_CVR;
  } while (wraps != systick_wraps);
  return (uint64_t)wraps * 0x1000000u + (0xFFFFFFu - value);
}
