#ifndef FW_DP_LOOP_H
#define FW_DP_LOOP_H

#define DP_OUT 10
void dp_run(void);

#endif
