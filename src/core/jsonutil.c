/* stub: to be written */
#include "config.h"
typedef int rt_stub_src_core_jsonutil_c;
