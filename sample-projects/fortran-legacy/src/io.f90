module model_io
  use ifport
  use iso_fortran_env, only: real64
  implicit none
  integer, parameter :: xp = selected_real_kind(18)
  real(kind=real64) :: scale = 1.0_real64   ! real*10 was too slow
contains
  subroutine stamp()
    character(len=32) :: now
    now = fdate()
    print *, "run started ", now
  end subroutine stamp
end module model_io
