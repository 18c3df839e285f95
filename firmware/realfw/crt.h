#ifndef FW_CRT_H
#define FW_CRT_H

void crt_init(void);
void Fault_Handler(void);
void SysTick_Handler(void);
int main(void);

#endif
