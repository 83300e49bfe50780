/* stub: to be written */
#include "config.h"
#include "tests/unit/testutil.h"

int main(void);
int
main(void)
{
	return (0);
}
