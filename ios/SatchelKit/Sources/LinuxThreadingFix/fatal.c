// Swift 6.0.3's Linux runtime leaves swift::threading::fatal(char const*, ...) undefined when a
// test runner links Observation (fixed upstream in Swift 6.2). This defines it under its C++
// name: print the message and abort, as the runtime's own definition does.
#if defined(__linux__)
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noreturn)) void satchel_swift_threading_fatal(const char *format, ...) __asm__("_ZN5swift9threading5fatalEPKcz");

void satchel_swift_threading_fatal(const char *format, ...) {
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    abort();
}
#endif
