/* stub: to be written */
#include "config.h"
typedef int rt_stub_sim_main;
int main(void);
int
main(void)
{
	return (0);
}
