    <h2 class="title">Not found</h2>
