/* stub: to be written */
#include "config.h"
typedef int rt_stub_sim_scenario;
