/* stub: to be written */
#include "config.h"
typedef int rt_stub_tests_testd_testsvc_c;
