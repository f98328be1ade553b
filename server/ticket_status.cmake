# hk_ticket_status: the public ticket status page's logic (server/ticket_status.c),
# a library of its own so its unit test and fuzz target need no server.
add_library(hk_ticket_status STATIC ${CMAKE_CURRENT_LIST_DIR}/ticket_status.c)
target_include_directories(hk_ticket_status PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(hk_ticket_status PUBLIC hk_core)
hk_warnings(hk_ticket_status)
